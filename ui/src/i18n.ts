// Translations: one catalog per language, looked up through i18next.
import i18next from "i18next";
import de from "./locales/de.json";
import en from "./locales/en.json";

export type Lang = "de" | "en";

export function detectLanguage(locale: string | undefined): Lang {
  return locale?.toLowerCase().startsWith("de") ? "de" : "en";
}

export async function initI18n(lang: Lang): Promise<void> {
  await i18next.init({
    lng: lang,
    fallbackLng: "en",
    resources: { de: { translation: de }, en: { translation: en } },
    interpolation: { escapeValue: false },
    showSupportNotice: false,
  });
}

// The language the window speaks now.
export function currentLanguage(): Lang {
  return i18next.language === "de" ? "de" : "en";
}

export function t(key: string, options?: Record<string, unknown>): string {
  return i18next.t(key, options);
}

// One date form per language everywhere in the window: "05.12.2026, 06:41" and
// "5 Dec 2026, 06:41"; a day alone is "05.12.2026" and "5 Dec 2026".
const locale = (lang: Lang) => (lang === "de" ? "de-DE" : "en-GB");
const dayStyle: Intl.DateTimeFormatOptions = { day: "2-digit", month: "2-digit", year: "numeric" };
const dayStyleEn: Intl.DateTimeFormatOptions = { day: "numeric", month: "short", year: "numeric" };

export function formatTime(iso: string | null, lang: Lang): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(locale(lang), {
    ...(lang === "de" ? dayStyle : dayStyleEn),
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(iso));
}

// A calendar day (`2026-12-05`, as the history names days) in the same form.
export function formatDay(day: string, lang: Lang): string {
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  return new Intl.DateTimeFormat(locale(lang), lang === "de" ? dayStyle : dayStyleEn).format(new Date(y, m - 1, d));
}

// The time of day alone, for today's events ("06:41").
export function formatClock(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(locale(lang), { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

// A plain number in the language's form ("1.234,5" / "1,234.5").
export function formatNumber(value: number, lang: Lang): string {
  return new Intl.NumberFormat(locale(lang), { maximumFractionDigits: 1 }).format(value);
}

// WebKitGTK hands the process locale to the page as `navigator.language`, and under a C or
// POSIX locale (LANG unset, or C.UTF-8, as in a minimal session or one started by a service)
// that is "C": no language tag, so `new Intl.NumberFormat(navigator.language)` throws a
// RangeError. uPlot does exactly that as its module loads, which cost the window every chart
// (seen in the WebDriver journey). Where the webview's language is no valid tag, the window's
// own language stands in for it, before anything reads it.
export function mendWebviewLanguage(lang: Lang): void {
  try {
    if (navigator.language && Intl.getCanonicalLocales(navigator.language).length > 0) return;
  } catch {
    // Not a tag: replaced below.
  }
  Object.defineProperty(navigator, "language", { value: locale(lang), configurable: true });
  Object.defineProperty(navigator, "languages", { value: [locale(lang)], configurable: true });
}

export async function setLanguage(lang: Lang): Promise<void> {
  await i18next.changeLanguage(lang);
}
