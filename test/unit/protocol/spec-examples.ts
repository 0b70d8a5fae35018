/** Datagrams quoted in docs/spec/fuzzy-protocol.md, as hex (copied from the spec's hex dumps). */

/** §9.5: encrypted STAT request from a 3.4 controller (160 bytes) */
export const ENCRYPTED_STAT_REQUEST = Buffer.from(
  '72736665eb288166682cd970f01162b5c3b1e46625fd0541eb52c1c27c67f6b0c796884593bda4f5c1c26b45495a6c69' +
  '7b7c0f27b6d29b09cf4a55b0235c5a20148135ed6e2e81c97f244334ed9e985b2d026e002c9f18afe5b955606bbbfbe8' +
  'a859d4557521345ded7be5ff2de1be882dad5a58b663320457ceb4835f1ab4fb2e3ff0db26208080a0f6135613b6f7ed' +
  'bf9eddb8f1e74bc1917cf64bc451cc56',
  'hex',
);

/** §9.5: the 3.4 server's encrypted reply (136 bytes) */
export const ENCRYPTED_STAT_REPLY = Buffer.from(
  '7033046b58fc128681cd8af9d02ff919ff3b3af4f18f4b9d0f8b186659b17e9ddb0a787cf05435658cb9b885a1afc15d' +
  '5795e76bad4d23fc05c8db10b8b097f208f7fb101722465f54ce6f206e1c8fc1f21c1128554e15325d115443d853a08c' +
  '4ba0548cdf13a55b39f43e784a37c41e52db9c0c5d82c9ff8da54c9ad472040748cda56d3ef17b7e',
  'hex',
);

/** §12: plain v4 CHECK with shingles and d/4 extensions (350 bytes) */
export const WORKED_CHECK_REQUEST = Buffer.from(
  '04002000000000005d9c9664cfcd4b977f46dd8cc71e64128744fa17d5aed7639c6f6751564f0e0b083d880acb30e416' +
  '2fbc0b508fbe91cdc051552cec1091d9c2bc58a675da2465f080c9a64ed5d2ef949c0f0b3ce6724254e22600ea219ac2' +
  '871f150aacf6bfff672e8d0c71288d23cf920d043b1e5e57c197340340025fbe0d0769124d5e26de8a7b070d60b925c0' +
  '60636c0183f1d60c6e92040969a908add512090c6de8591fd69f5704229527c8b4683b00a721dcc2912124079a944c84' +
  '053e1610724e055fb805e915ed3e47e9205526094b0705fc9714360c4ce5d834c9c7060bf4e3390a125f4b0998647d2c' +
  '0bdf3204939ff734cad85800c4e5ea1042ee5b01ba1f1b766bb256042af643242431070cb9634ddd51ba0009b4d6e802' +
  '6ee84401f013289a1a7a1506156d8d8be8511206b93b35fa9b1a6c0507525c18c887280222ebbd0bf761b605640b6578' +
  '616d706c652e6f726734c0000205',
  'hex',
);

/** §12: the SQLite server's 96-byte direct-hit reply */
export const WORKED_CHECK_REPLY = Buffer.from(
  '0a000000010000005d9c96640000803fcfcd4b977f46dd8cc71e64128744fa17d5aed7639c6f6751564f0e0b083d880a' +
  'cb30e4162fbc0b508fbe91cdc051552cec1091d9c2bc58a675da2465f080c9a600000000000000000000000000000000',
  'hex',
);

/** §9.5 server keypair: the public test key of rspamd's functional tests. */
export const TEST_SERVER_KEYPAIR = {
  privkey: 'ekd3x36tfa5gd76t6pa8hqif3ott7n1siuux68exbkk7ukscte9y',
  pubkey: 'm8kneubpcjsb8sbsoj7jy7azj9fdd3xmj63txni86a8ye9ncomny',
} as const;

/** §9.5 derived values. */
export const TEST_WIRE_KEY_ID = 'eb288166682cd970';
export const TEST_CLIENT_PUBKEY = 'oxrrs4qatf3ps1w9feosqjfang9qg5ds8sftanp17fjm9ymammty';
export const TEST_NM = '1a20a8d41bbccd2ceddc19f28ef57cb0d6b3af0bc5d96714bfe0c9cd2c6e26b7';
export const TEST_POLYKEY = '1df4a1f271be82f45fb684c8464c1cfffcc9ebe400b23ad702f567d53f138098';
