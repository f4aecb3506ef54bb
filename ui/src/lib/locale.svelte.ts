// The current language, reactive: components call t(key) in their markup.
import { translate, type MessageKey } from "./i18n";
import type { Language } from "./types";

export const locale = $state<{ lang: Language }>({ lang: "en" });

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return translate(locale.lang, key, params);
}
