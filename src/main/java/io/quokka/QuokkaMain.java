package io.quokka;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.quokka.cli.Cli;
import io.quokka.cli.FitCommand;
import io.quokka.cli.ToyCommand;
import io.quokka.runner.RunnerMain;
import io.quokka.runner.NativeSelfCheck;
import java.util.Arrays;

/**
 * The one binary's entry point. {@code serve} (or no argument) starts the HTTP server; {@code runner} starts a
 * runner process that hosts one model, {@code toy} writes a generated model into the store, {@code fit} prints a model's memory estimate, and the
 * client commands ({@code pull}, {@code run}, {@code list}, ... in {@link Cli}) talk to a running server — all without
 * booting Quarkus, as Ollama starts its runners from its own binary.
 */
@QuarkusMain
public final class QuokkaMain {
    private QuokkaMain() {}

    public static void main(String... args) throws Exception {
        String command = args.length == 0 ? "serve" : args[0];
        String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "serve" -> Quarkus.run(args);
            case "runner" -> RunnerMain.main(rest);
            case "toy" -> ToyCommand.main(rest);
            case "fit" -> FitCommand.main(rest);
            case "native-check" -> NativeSelfCheck.main(rest);
            default -> {
                if (Cli.COMMANDS.contains(command)) {
                    Cli.main(command, rest);
                    return;
                }
                System.err.println("usage: quokka serve | pull | list | ps | show | run | stop | rm | cp | create"
                        + " | toy NAME [options] | fit MODEL [options] | native-check | runner ...");
                System.exit(2);
            }
        }
    }
}
