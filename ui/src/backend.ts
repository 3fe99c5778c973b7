// The only file that talks to the host (the window process, which forwards to the resident).
// Everything else imports these functions, so tests can replace the host with mockIPC.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import type { CheckStep } from "./bindings/CheckStep";
import type { CheckSummary } from "./bindings/CheckSummary";
import type { Controls } from "./bindings/Controls";
import type { Detection } from "./bindings/Detection";
import type { GeneralSettings } from "./bindings/GeneralSettings";
import type { MailAccount } from "./bindings/MailAccount";
import type { NewMail } from "./bindings/NewMail";
import type { NewProvider } from "./bindings/NewProvider";
import type { PresetSummary } from "./bindings/PresetSummary";
import type { ProviderHistory } from "./bindings/ProviderHistory";
import type { Span } from "./bindings/Span";
import type { Summary } from "./bindings/Summary";

export function getSummary(): Promise<Summary> {
  return invoke<Summary>("summary");
}

export function takeRoute(): Promise<string | null> {
  return invoke<string | null>("take_route");
}

export function checkNow(): Promise<void> {
  return invoke<void>("check_now");
}

export function onSummary(handler: (summary: Summary) => void): Promise<UnlistenFn> {
  return listen<Summary>("summary", (event) => handler(event.payload));
}

export function onNavigate(handler: (route: string) => void): Promise<UnlistenFn> {
  return listen<string>("navigate", (event) => handler(event.payload));
}

// The user's controls: the same the tray menu offers, carried out by the resident.
export function getControls(): Promise<Controls> {
  return invoke<Controls>("controls");
}

export function pauseNotifications(span: Span): Promise<void> {
  return invoke<void>("pause", { span });
}

export function resumeNotifications(): Promise<void> {
  return invoke<void>("resume");
}

export function snooze(providerId: string, span: Span): Promise<void> {
  return invoke<void>("snooze", { providerId, span });
}

export function mute(providerId: string): Promise<void> {
  return invoke<void>("mute", { providerId });
}

export function unmute(providerId: string): Promise<void> {
  return invoke<void>("unmute", { providerId });
}

export function setAutostart(enabled: boolean): Promise<void> {
  return invoke<void>("set_autostart", { enabled });
}

export function quit(): Promise<void> {
  return invoke<void>("quit");
}

// One provider's last 90 days: uptime, our outages, the provider's incidents, day bars.
export function getProviderHistory(providerId: string): Promise<ProviderHistory> {
  return invoke<ProviderHistory>("provider_history", { providerId });
}

// Adding and removing providers: the resident edits the config file and reloads it.
export function getCatalog(): Promise<PresetSummary[]> {
  return invoke<PresetSummary[]>("catalog");
}

export function detect(url: string): Promise<Detection> {
  return invoke<Detection>("detect", { url });
}

export function addProvider(provider: NewProvider): Promise<void> {
  return invoke<void>("add_provider", { provider });
}

export function removeProvider(providerId: string): Promise<void> {
  return invoke<void>("remove_provider", { providerId });
}

// Interval, language, quiet hours, reminder: written into the config file by the resident.
export function getGeneralSettings(): Promise<GeneralSettings> {
  return invoke<GeneralSettings>("general_settings");
}

export function setGeneralSettings(settings: GeneralSettings): Promise<void> {
  return invoke<void>("set_general_settings", { settings });
}

// Mail accounts: the endpoints written in the config for a provider. The password never
// goes to the resident: the window process puts it into the OS keychain.
export function getMailAccounts(providerId: string): Promise<MailAccount[]> {
  return invoke<MailAccount[]>("mail_accounts", { providerId });
}

export function addMail(mail: NewMail, password: string | null): Promise<void> {
  return invoke<void>("add_mail", { mail, password });
}

export function removeMail(providerId: string, checkId: string, username: string | null): Promise<void> {
  return invoke<void>("remove_mail", { providerId, checkId, username });
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
