// The parts of the WebAssembly JavaScript API that src/image/bilinear-kernel.ts uses.
// TypeScript declares this API only in its DOM library, which a Node project leaves out.
declare namespace WebAssembly {
  // A compiled module is an opaque handle. @types/emscripten declares the same empty interface,
  // and the two declarations merge.
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Module {}
  const Module: { new (bytes: Uint8Array): Module };

  interface Instance {
    readonly exports: Record<string, unknown>;
  }
  const Instance: { new (module: Module, imports?: Record<string, Record<string, unknown>>): Instance };

  interface Memory {
    readonly buffer: ArrayBuffer;
    /** Grows by `pages` pages of 64 KiB and returns the previous size in pages. */
    grow(pages: number): number;
  }

  function validate(bytes: Uint8Array): boolean;
}
