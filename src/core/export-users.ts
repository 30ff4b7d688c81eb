import type { ExportedUser, UserImportStore } from './store.ts';

/** Every user, a page at a time in id order (keyset paging), so a million users never sit in memory at once. */
export async function* exportedUserPages(store: Pick<UserImportStore, 'exportUsers'>, pageSize: number): AsyncGenerator<ExportedUser[]> {
  let after: string | null = null;
  for (;;) {
    const page = await store.exportUsers(after, pageSize);
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    after = page[page.length - 1]!.id;
  }
}
