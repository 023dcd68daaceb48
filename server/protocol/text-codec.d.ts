// TextEncoder and TextDecoder exist in both node and browsers, but belong to neither lib.es*
// nor a types-free build; declare just what the protocol uses so this folder needs no node or DOM types.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
