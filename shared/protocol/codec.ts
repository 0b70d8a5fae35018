/** The wire codec in one import: requests (request-codec.ts), replies (reply-codec.ts), extensions (§4.3). */
export { decodeRequest, encodeRequest, type EncodeRequestInput } from './request-codec.js';
export { decodeReply, encodeReply, replySize, type DecodedReply } from './reply-codec.js';
export { encodeExtensions, parseExtensions } from './extensions-codec.js';
export { MalformedReplyError, MalformedRequestError, EncodeError, type MalformedReason } from './errors.js';
