/** A response body that is already JSON text (a list serialised at write time): sent as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}
