package io.quokka.generation;

import io.quokka.store.InvalidModelNameException;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoreException;
import io.quokka.store.StoredModel;
import java.util.List;

/** Resolves names against the Ollama store on disk. */
public final class StoreModelResolver implements ModelResolver {
    private final OllamaStore store;
    private final ModelInspector inspector;

    public StoreModelResolver(OllamaStore store, ModelInspector inspector) {
        this.store = store;
        this.inspector = inspector;
    }

    @Override
    public ResolvedModel resolve(String requestedName) {
        ModelName name;
        try {
            name = ModelName.parse(requestedName);
        } catch (InvalidModelNameException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        StoredModel stored = store.find(name).orElseThrow(() -> new ModelNotFoundException(requestedName));
        try {
            var file = stored.modelBlob();
            int trainedContext = inspector.trainedContext(file);
            List<ChatTurn> messages = stored.messages().stream().map(m -> new ChatTurn(m.role(), m.content())).toList();
            return new ResolvedModel(stored.name().displayShortest(), stored.digest(), file, trainedContext,
                    stored.template().orElse(null), stored.system().orElse(null), stored.params(), messages,
                    stored.config());
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.MISSING_BLOB) throw new ModelNotFoundException(requestedName);
            throw new ModelUnusableException(e.getMessage(), e);
        }
    }
}
