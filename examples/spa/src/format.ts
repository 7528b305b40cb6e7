const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

export const formatDateTime = (iso: string | Date | null | undefined) => (iso ? dateTime.format(new Date(iso)) : '—');
export const formatTime = (date: Date) => time.format(date);
