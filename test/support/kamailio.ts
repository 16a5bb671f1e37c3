import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeUdpTcpPort, startPeer, waitForTcp, type PeerProcess } from './peers.js';

export interface KamailioOptions {
  /** SIP accounts: username → plain-text password. */
  users: Record<string, string>;
  domain?: string;
}

export interface Kamailio extends PeerProcess {
  port: number;
}

const modulesPath = '/usr/lib/x86_64-linux-gnu/kamailio/modules/';

/**
 * A small Kamailio config of ours: a registrar with digest auth (plain-text passwords,
 * `pv_www_authenticate` flag 0) and a record-routing proxy to registered users.
 */
export function kamailioConfig(port: number, options: KamailioOptions): string {
  const users = Object.entries(options.users)
    .map(([user, password]) => `    if ($au == "${user}") $var(pw) = "${password}";`)
    .join('\n');
  return `#!KAMAILIO
debug=2
log_stderror=yes
children=2
tcp_children=2
disable_tcp=no
auto_aliases=no
listen=udp:127.0.0.1:${port}
listen=tcp:127.0.0.1:${port}
mpath="${modulesPath}"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "nathelper.so"
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
modparam("registrar", "min_expires", 60)
modparam("rr", "enable_full_lr", 1)
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("registrar", "received_avp", "$avp(RECEIVED)")

request_route {
  if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
  force_rport();
  if (is_method("REGISTER")) {
    $var(pw) = "";
${users}
    if (!pv_www_authenticate("$td", "$var(pw)", "0")) { www_challenge("$td", "0"); exit; }
    if (proto == TCP) add_contact_alias();
    if (!save("location")) sl_reply_error();
    exit;
  }
  if (has_totag()) {
    if (loose_route()) {
      handle_ruri_alias();
      if (!t_relay()) sl_reply_error();
      exit;
    }
    if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
    sl_send_reply("404", "Not here");
    exit;
  }
  if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
  if (is_method("OPTIONS") && $rU == $null) { sl_send_reply("200", "OK"); exit; }
  record_route();
  if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
  handle_ruri_alias();
  if (!t_relay()) sl_reply_error();
}

onreply_route {
  if (proto == TCP && is_method("INVITE") && status =~ "^(1|2)") add_contact_alias();
}
`;
}

/** Starts Kamailio on 127.0.0.1 with our config, on a free port; stop it with `stop()` (by PID). */
export async function startKamailio(options: KamailioOptions): Promise<Kamailio> {
  const dir = mkdtempSync(join(tmpdir(), 'omnisip-kamailio-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeUdpTcpPort();
    const configPath = join(dir, `kamailio-${port}.cfg`);
    writeFileSync(configPath, kamailioConfig(port, options));
    const peer = startPeer('kamailio', ['-DD', '-E', '-f', configPath, '-Y', dir, '-P', join(dir, `kamailio-${port}.pid`), '-w', dir]);
    try {
      await waitForTcp(port, peer.child);
      return { ...peer, port };
    } catch (error) {
      lastError = new Error(`${(error as Error).message}\n--- kamailio output ---\n${peer.output()}`);
      await peer.stop();
    }
  }
  throw lastError;
}
