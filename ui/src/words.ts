// Names for what the window shows about checks, in the user's words: a check's kind and
// target, a failure's reason, a probe step. Never a raw id or enum value.
import { t } from "./i18n";
import en from "./locales/en.json";

// The names the catalogs have words for; anything else gets a general word, never itself.
const kinds = Object.keys(en.checkKind);
const reasons = Object.keys(en.mail.reason);
const steps = Object.keys(en.mail.step);

// A status page by its host ("status.df.eu"), a server by host and port.
function place(target: string): string {
  try {
    return /^https?:\/\//.test(target) ? new URL(target).host : target;
  } catch {
    return target;
  }
}

// "Incoming mail (IMAP) · mail.example.com:993"
export function checkLabel(kind: string, target: string): string {
  const what = kinds.includes(kind) ? t(`checkKind.${kind}`) : t("checkKind.other");
  const where = place(target);
  return where ? `${what} · ${where}` : what;
}

export function reasonText(reason: string): string {
  return reasons.includes(reason) ? t(`mail.reason.${reason}`) : t("reason.unknown");
}

export function stepName(name: string): string {
  return steps.includes(name) ? t(`mail.step.${name}`) : name;
}

// A delivery time as people say it, the same in both languages: "12 s", "7 min 12 s",
// "2 h 5 min" (as the resident's messages say it).
export function deliveryTime(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
