import type { ParsedMail } from 'mailparser';

/**
 * What a mail client that folds duplicates by Message-ID would see: per Message-ID, the
 * reset links its copies carry (one, or the folded copy may hold a dead link), and per
 * recipient, the reset requests its mail answers (a Message-ID starts with the request id).
 */
export function foldedByMessageId(messages: readonly ParsedMail[]): { links: Map<string, Set<string>>; requests: Map<string, Set<string>> } {
  const links = new Map<string, Set<string>>();
  const requests = new Map<string, Set<string>>();
  for (const message of messages) {
    const id = message.messageId!;
    const to = (message.to as { text: string }).text;
    const link = /\S*[?&](?:token|sign)=[\w-]+/.exec(message.text ?? '')?.[0] ?? '(no link)';
    links.set(id, (links.get(id) ?? new Set()).add(link));
    requests.set(to, (requests.get(to) ?? new Set()).add(id.replace(/^<([^.@]+).*$/, '$1')));
  }
  return { links, requests };
}
