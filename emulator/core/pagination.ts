/** The API's list envelope (documented for sessions; assumed for agents and SIP connections). */
export interface Page<T> {
  items: T[];
  filteredCount: number;
  totalCount: number;
  pageIndex: number;
  pageSize: number;
}

export interface PageRequest {
  /** 0-based. */
  pageIndex: number;
  pageSize: number;
}

export const defaultPageSize = 20;
export const maxPageSize = 100;

/** `all` is every item of the project, `filtered` those that match the request's filters. */
export function paginate<T>(all: number, filtered: T[], page: PageRequest): Page<T> {
  const start = page.pageIndex * page.pageSize;
  return {
    items: filtered.slice(start, start + page.pageSize),
    filteredCount: filtered.length,
    totalCount: all,
    pageIndex: page.pageIndex,
    pageSize: page.pageSize,
  };
}
