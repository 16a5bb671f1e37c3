/** A response body that is already JSON text (a list serialised at write time): sent as it is. */
export class JsonText {
  /**
   * @param repeated the same string object is likely to be answered again (a cached list page): its
   * bytes are worth keeping for the next response (respond.ts).
   */
  constructor(
    readonly text: string,
    readonly repeated = false,
  ) {}
}
