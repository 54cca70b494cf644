/** The language every text in this catalogue is written in. */
export const CATALOGUE_LANGUAGE = 'en';

/**
 * The locale for numbers, dates, lists and plurals: the reader's first preferred variant of the
 * catalogue's language (so en-GB gets day-month dates and a 24-hour clock), else the language itself.
 * A date is never written in another language than the sentence around it.
 */
export function pickLocale(preferred: readonly string[], language = CATALOGUE_LANGUAGE): string {
  for (const tag of preferred) {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical && new Intl.Locale(canonical).language === language) return canonical;
    } catch {
      // Not a valid language tag: look at the next one.
    }
  }
  return language;
}

export const locale = pickLocale(typeof navigator === 'undefined' ? [] : navigator.languages);

type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const pluralRules = new Intl.PluralRules(locale);
const numberFormat = new Intl.NumberFormat(locale);

/** `plural(2, { one: '# session', other: '# sessions' })` → "2 sessions"; `#` is the formatted count. */
export function plural(count: number, forms: PluralForms): string {
  return (forms[pluralRules.select(count)] ?? forms.other).replace('#', numberFormat.format(count));
}

const listFormat = new Intl.ListFormat(locale, { type: 'conjunction' });

/** "password and authenticator code". */
export function formatList(items: readonly string[]): string {
  return listFormat.format(items);
}
