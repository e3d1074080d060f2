// seek-bzip ships no types; only the one-shot decoder is used.
declare module "seek-bzip" {
  const Bunzip: {
    /** Decodes a whole bzip2 stream; with `outputSize`, throws unless exactly that many bytes come out. */
    decode(input: Buffer, outputSize?: number, multistream?: boolean): Buffer;
  };
  export default Bunzip;
}
