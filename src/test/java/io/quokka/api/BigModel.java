package io.quokka.api;

import io.quokka.store.ModelName;
import io.quokka.toy.ToyInstaller;
import io.quokka.toy.ToyModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The ~100 MB generated model, installed once into the test store as {@code big}: a load that takes a while. */
final class BigModel {
    static final String NAME = "big";
    private static boolean installed;

    private BigModel() {}

    static synchronized String install() {
        if (!installed) {
            try {
                ToyInstaller.install(TestStore.root, ModelName.parse(NAME), ToyModelSpec.about100MB().withName(NAME));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            installed = true;
        }
        return NAME;
    }
}
