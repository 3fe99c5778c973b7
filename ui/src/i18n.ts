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

export function t(key: string, options?: Record<string, unknown>): string {
  return i18next.t(key, options);
}

export function formatTime(iso: string | null, lang: Lang): string {
  if (!iso) return "";
  const date = new Date(iso);
  return new Intl.DateTimeFormat(lang === "de" ? "de-DE" : "en-GB", {
    dateStyle: "short",
    timeStyle: "short",
  }).format(date);
}

export async function setLanguage(lang: Lang): Promise<void> {
  await i18next.changeLanguage(lang);
}
