// The only file that talks to the host (the window process, which forwards to the resident).
// Everything else imports these functions, so tests can replace the host with mockIPC.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CheckStep } from "./bindings/CheckStep";
import type { CheckSummary } from "./bindings/CheckSummary";
import type { Controls } from "./bindings/Controls";
import type { Detection } from "./bindings/Detection";
import type { Discovery } from "./bindings/Discovery";
import type { ExportOutcome } from "./bindings/ExportOutcome";
import type { ExportRequest } from "./bindings/ExportRequest";
import type { GeneralSettings } from "./bindings/GeneralSettings";
import type { MailAccount } from "./bindings/MailAccount";
import type { NewMail } from "./bindings/NewMail";
import type { NewProvider } from "./bindings/NewProvider";
import type { PresetSummary } from "./bindings/PresetSummary";
import type { ProviderHistory } from "./bindings/ProviderHistory";
import type { Request } from "./bindings/Request";
import type { RoundtripView } from "./bindings/RoundtripView";
import type { Span } from "./bindings/Span";
import type { Summary } from "./bindings/Summary";
import type { WindowCommands } from "./bindings/WindowCommands";

// The window's forwarding commands come from the Rust command list (`with_commands!`): their
// names and replies from `WindowCommands`, their arguments from the request of the same
// method, camelCased as Tauri takes them. A command renamed, dropped or changed in Rust
// fails `npm run check` here.
type Command = keyof WindowCommands;
type Camel<S extends string> = S extends `${infer Head}_${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S;
type RequestOf<K extends Command> = Extract<Request, { method: K }>;
type Args<K extends Command> = {
  [F in Exclude<keyof RequestOf<K>, "method"> as Camel<F & string>]: RequestOf<K>[F];
};
type Reply<K extends Command> = WindowCommands[K] extends null ? void : WindowCommands[K];

function call<K extends Command>(
  name: K,
  ...args: keyof Args<K> extends never ? [] : [Args<K>]
): Promise<Reply<K>> {
  return invoke<Reply<K>>(name, args[0]);
}

export function getSummary(): Promise<Summary> {
  return call("summary");
}

export function takeRoute(): Promise<string | null> {
  return invoke<string | null>("take_route");
}

export function checkNow(): Promise<void> {
  return call("check_now");
}

export function onSummary(handler: (summary: Summary) => void): Promise<UnlistenFn> {
  return listen<Summary>("summary", (event) => handler(event.payload));
}

export function onNavigate(handler: (route: string) => void): Promise<UnlistenFn> {
  return listen<string>("navigate", (event) => handler(event.payload));
}

// The user's controls: the same the tray menu offers, carried out by the resident.
export function getControls(): Promise<Controls> {
  return call("controls");
}

export function pauseNotifications(span: Span): Promise<void> {
  return call("pause", { span });
}

export function resumeNotifications(): Promise<void> {
  return call("resume");
}

export function snooze(providerId: string, span: Span): Promise<void> {
  return call("snooze", { providerId, span });
}

export function mute(providerId: string): Promise<void> {
  return call("mute", { providerId });
}

export function unmute(providerId: string): Promise<void> {
  return call("unmute", { providerId });
}

export function setAutostart(enabled: boolean): Promise<void> {
  return call("set_autostart", { enabled });
}

export function quit(): Promise<void> {
  return call("quit");
}

// One provider's last 90 days: uptime, our outages, the provider's incidents, day bars.
export function getProviderHistory(providerId: string): Promise<ProviderHistory> {
  return call("provider_history", { providerId });
}

// The provider's round trips (test mails to the user's own mailbox) over 90 days: the last
// delivery, the mails on their way, delivery times per day, the late and lost mails.
export function getProviderRoundtrips(providerId: string): Promise<RoundtripView[]> {
  return call("provider_roundtrips", { providerId });
}

// "Check delivery": a round trip from the smtp endpoint on `smtp` to the imap one on `imap`,
// written into the config by the resident; removed again by its check id.
export function addRoundtrip(providerId: string, smtp: string, imap: string): Promise<void> {
  return call("add_roundtrip", { providerId, smtp, imap });
}

export function removeRoundtrip(providerId: string, checkId: string): Promise<void> {
  return call("remove_roundtrip", { providerId, checkId });
}

// The evidence report written to a file the user chose; resolves to the files written
// (CSV: NAME-outages.csv and NAME-days.csv) or why none was. The resident makes it off its
// own threads, so the summary goes on meanwhile.
export function exportReport(request: ExportRequest): Promise<ExportOutcome> {
  return call("export_report", { request });
}

// The system's save dialog for a report, proposing `name`; null when the user cancelled.
export function chooseReportFile(title: string, name: string): Promise<string | null> {
  return invoke<string | null>("choose_report_file", { title, name });
}

// Opens a report written by the export with the system's program for it (only a path
// chosen in the save dialog is opened).
export function openReport(path: string): Promise<void> {
  return invoke<void>("open_report", { path });
}

// Adding and removing providers: the resident edits the config file and reloads it.
export function getCatalog(): Promise<PresetSummary[]> {
  return call("catalog");
}

export function detect(url: string): Promise<Detection> {
  return call("detect", { url });
}

// A provider with its mail endpoints, in one write. The password, if given, is stored by the
// window process for each endpoint with a username and never goes to the resident.
export function addProvider(provider: NewProvider, password: string | null = null): Promise<void> {
  return invoke<void>("add_provider", { provider, password });
}

// The first step: from a mail address to its provider and servers. The resident only looks
// (DNS, the autoconfig file, the catalog); nothing is probed or added.
export function discover(address: string): Promise<Discovery> {
  return call("discover", { address });
}

// `deleteHistory` false keeps what the history holds about it (evidence for a claim). The
// window process then deletes the provider's mail passwords from the keychain.
export function removeProvider(providerId: string, deleteHistory: boolean): Promise<void> {
  return invoke<void>("remove_provider", { providerId, deleteHistory });
}

// Rename, and set the status page (null: the preset's, or none); the id and history stay.
export function editProvider(providerId: string, name: string, statusPage: string | null): Promise<void> {
  return call("edit_provider", { providerId, name, statusPage });
}

// Interval, language, quiet hours, reminder: written into the config file by the resident.
export function getGeneralSettings(): Promise<GeneralSettings> {
  return call("general_settings");
}

export function setGeneralSettings(settings: GeneralSettings): Promise<void> {
  return call("set_general_settings", { settings });
}

// Mail accounts: the endpoints written in the config for a provider. The password never
// goes to the resident: the window process puts it into the OS keychain.
export function getMailAccounts(providerId: string): Promise<MailAccount[]> {
  return call("mail_accounts", { providerId });
}

export function addMail(mail: NewMail, password: string | null): Promise<void> {
  return invoke<void>("add_mail", { mail, password });
}

// Changes an endpoint in place; the password, if given, goes into the keychain only once the
// resident accepted the change, and stays as it was when the change is refused.
export function editMail(checkId: string, mail: NewMail, password: string | null): Promise<void> {
  return invoke<void>("edit_mail", { checkId, mail, password });
}

export function removeMail(providerId: string, checkId: string): Promise<void> {
  return invoke<void>("remove_mail", { providerId, checkId });
}

// The system's file chooser (for a CA file); null when the user cancelled.
export function pickFile(title: string): Promise<string | null> {
  return invoke<string | null>("pick_file", { title });
}

// Pages watched for reachability ([[provider.http]]): an address, and the text it must show.
export function addHttp(providerId: string, url: string, expect: string | null): Promise<void> {
  return call("add_http", { providerId, url, expect });
}

export function removeHttp(providerId: string, checkId: string): Promise<void> {
  return call("remove_http", { providerId, checkId });
}

// "Test connection": probes the endpoint as it would be checked; every step reaches
// `onStep` as soon as it ended, the whole result comes last.
export function testMail(
  mail: NewMail,
  password: string | null,
  onStep: (step: CheckStep) => void,
): Promise<CheckSummary> {
  const channel = new Channel<CheckStep>();
  channel.onmessage = onStep;
  return invoke<CheckSummary>("test_mail", { mail, password, onStep: channel });
}

// Opens the provider's status page (or one of its incidents) in the browser. The host looks
// the address up itself, so the page can open nothing but what the provider listed.
export function openLink(providerId: string, incidentId: string | null): Promise<void> {
  return invoke<void>("open_link", { providerId, incidentId });
}
