package io.quokka.pull;

/**
 * A step of a pull, in the order Ollama reports them; {@link #status()} is Ollama's {@code status} text. The API turns
 * each into one NDJSON line ({@code ProgressResponse}); the preloader logs them.
 */
public sealed interface PullEvent {

    /** Ollama's {@code status} text for this step. */
    String status();

    /** The manifest (or, for Hugging Face, the repository listing) is being fetched. */
    record PullingManifest() implements PullEvent {
        @Override
        public String status() {
            return "pulling manifest";
        }
    }

    /**
     * A blob is being fetched (or was already present: {@code completed == total}).
     *
     * @param digest    {@code sha256:<hex>} when known in advance, else null (a direct URL)
     * @param label     what the status names: the first 12 hex digits of the digest, else the file name
     * @param total     the blob's size in bytes
     * @param completed bytes present so far, including a resumed partial download
     */
    record Downloading(String digest, String label, long total, long completed) implements PullEvent {
        @Override
        public String status() {
            return "pulling " + label;
        }
    }

    /** Every blob is downloaded; their digests are (or were, before they became visible) checked. */
    record Verifying() implements PullEvent {
        @Override
        public String status() {
            return "verifying sha256 digest";
        }
    }

    /** The manifest is being written, after all of its blobs. */
    record WritingManifest() implements PullEvent {
        @Override
        public String status() {
            return "writing manifest";
        }
    }

    /** The replaced manifest's blobs that nothing references any more are being removed. */
    record RemovingUnusedLayers() implements PullEvent {
        @Override
        public String status() {
            return "removing unused layers";
        }
    }

    /** The model is in the store. */
    record Success() implements PullEvent {
        @Override
        public String status() {
            return "success";
        }
    }
}
