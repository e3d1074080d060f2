// lam's canonical drive on disk: what `lam convert` writes and every drive reader reads back.
export { writeCanonicalMcap, loadCanonicalMcap, SAMPLE_TOPIC_PREFIX, SAMPLE_SCHEMA_NAME, SAMPLE_SCHEMA } from "./mcap.js";
