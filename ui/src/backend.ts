// The only file that talks to the host (the window process, which forwards to the resident).
// Everything else imports these functions, so tests can replace the host with mockIPC.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
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
