package io.quokka.generation;

import io.quokka.store.InvalidModelNameException;
import io.quokka.store.ModelName;
import io.quokka.store.OllamaStore;
import io.quokka.store.StoreException;
import io.quokka.store.StoredModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Resolves names against the Ollama store on disk, through the {@link ModelAliases}: the one place a client's model
 * name becomes a stored model, for generation, embeddings, {@code /api/show}, {@code /v1/models/{model}} and the
 * listings. A model in the store wins over an alias of the same name; an alias is followed one step.
 */
public final class StoreModelResolver implements ModelResolver {
    private final OllamaStore store;
    private final ModelInspector inspector;
    private final ModelAliases aliases;

    public StoreModelResolver(OllamaStore store, ModelInspector inspector) {
        this(store, inspector, ModelAliases.none());
    }

    public StoreModelResolver(OllamaStore store, ModelInspector inspector, ModelAliases aliases) {
        this.store = store;
        this.inspector = inspector;
        this.aliases = aliases;
    }

    /**
     * A model listed under a name: its own, or an alias's (with the target's manifest, so the same digest, size and
     * details, as a copy made by {@code ollama cp} would show).
     */
    public record Listed(String name, StoredModel model) {}

    /**
     * The stored model a client's name stands for: the model of that name, else the target of the alias of that name.
     *
     * @throws InvalidRequestException when the name is not a valid model name
     * @throws ModelNotFoundException  when neither the store nor the aliases know it, or an alias's target is missing
     * @throws StoreException          when the manifest cannot be read
     */
    public StoredModel find(String requestedName) {
        ModelName name;
        try {
            name = ModelName.parse(requestedName);
        } catch (InvalidModelNameException e) {
            throw new InvalidRequestException(e.getMessage());
        }
        Optional<StoredModel> stored = store.find(name);
        if (stored.isPresent()) return stored.get();
        return aliases.find(name).flatMap(alias -> store.find(alias.target()))
                .orElseThrow(() -> new ModelNotFoundException(requestedName));
    }

    /**
     * The store's models, most recently modified first, with each alias whose target is in the store and whose name
     * no stored model takes (an alias listed beside its target, which shares its modification time).
     */
    public List<Listed> list() {
        List<StoredModel> models = store.list();
        Set<ModelName> names = new HashSet<>();
        models.forEach(m -> names.add(m.name()));
        List<Listed> listed = new ArrayList<>();
        models.forEach(m -> listed.add(new Listed(m.name().displayShortest(), m)));
        for (ModelAliases.Alias alias : aliases.all()) {
            if (names.contains(alias.name())) continue;
            models.stream().filter(m -> m.name().equals(alias.target())).findFirst()
                    .ifPresent(m -> listed.add(new Listed(alias.written(), m)));
        }
        listed.sort(Comparator.comparing((Listed l) -> l.model().modifiedAt()).reversed());
        return listed;
    }

    /** The aliases this resolver follows. */
    public ModelAliases aliases() {
        return aliases;
    }

    @Override
    public ResolvedModel resolve(String requestedName) {
        StoredModel stored = find(requestedName);
        try {
            var file = stored.modelBlob();
            int trainedContext = inspector.trainedContext(file);
            List<ChatTurn> messages = stored.messages().stream().map(m -> new ChatTurn(m.role(), m.content())).toList();
            return new ResolvedModel(stored.name().displayShortest(), stored.digest(), file, trainedContext,
                    stored.template().orElse(null), stored.system().orElse(null), stored.params(), messages,
                    stored.config(), stored.hasProjector());
        } catch (StoreException e) {
            if (e.kind() == StoreException.Kind.MISSING_BLOB) {
                throw ModelNotFoundException.fileMissing(requestedName, stored.name().displayShortest());
            }
            throw new ModelUnusableException(e.getMessage(), e);
        }
    }
}
