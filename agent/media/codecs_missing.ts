/**
 * The Windows support app's video codecs (vpx.dll, yuv.dll) that would not load: the error
 * vpx_ffi.ts's loadLibs() throws, carrying which files, so platform/libraries.ts can say it in
 * the customer's and the technician's words without reading the English message.
 */
export class CodecsMissingError extends Error {
  readonly code = "codecs_missing";
  constructor(readonly files: readonly string[], message: string) {
    super(message);
    this.name = "CodecsMissingError";
  }
}

/** The files a load error names as missing, or undefined for any other error. */
export function missingCodecs(error: unknown): readonly string[] | undefined {
  return error instanceof CodecsMissingError ? error.files : undefined;
}
