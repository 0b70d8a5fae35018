import { PageHeader } from '../../../components/ui/page-header';
import { AccessSettingsCard } from './access-settings-card';
import { NetworkList } from './network-list';
import { RateLimitedNetworks } from './rate-limited-networks';

export function AccessPage() {
  return (
    <>
      <PageHeader title="Allow maps" description="Who may change the store over UDP, and who is ignored. Changes apply to the next datagram, without a restart." />
      <div className="stack">
        <NetworkList
          list="allow-update"
          title="Allowed to write"
          description="Sources allowed to WRITE and DEL (rspamd's allow_update). Other sources get 403; reads are open to all."
          envName="FUZZYD_ALLOW_UPDATE"
        />
        <NetworkList list="blocked" title="Blocked" description="Sources whose datagrams are dropped without a reply (rspamd's blocked)." envName="FUZZYD_BLOCKED" />
        <RateLimitedNetworks />
        <AccessSettingsCard />
      </div>
    </>
  );
}
