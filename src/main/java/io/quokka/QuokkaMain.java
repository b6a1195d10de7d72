package io.quokka;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * The one binary's entry point. {@code serve} (or no argument) starts the HTTP server; {@code runner} starts a
 * runner process that hosts one model, without booting Quarkus, as Ollama starts its runners from its own binary.
 */
@QuarkusMain
public final class QuokkaMain {
    private QuokkaMain() {}

    public static void main(String... args) {
        String command = args.length == 0 ? "serve" : args[0];
        switch (command) {
            case "serve" -> Quarkus.run(args);
            case "runner" -> io.quokka.runner.RunnerMain.main(Arrays.copyOfRange(args, 1, args.length));
            default -> {
                System.err.println("usage: quokka serve | quokka runner ...");
                System.exit(2);
            }
        }
    }
}
