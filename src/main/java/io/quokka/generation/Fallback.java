package io.quokka.generation;

/**
 * A request answered by another model than the one it named, because a fallback chain stepped in
 * ({@code io.quokka.fallback}).
 *
 * @param requested the model the client asked for
 * @param from      the model (or upstream) whose failure led here: the requested one, or an earlier alternative
 * @param to        the model that answers: a local model's name or an upstream's model
 * @param reason    why {@code from} could not answer: {@code memory}, {@code load-failed}, {@code runner-died},
 *                  {@code busy} or {@code upstream-failed}
 */
public record Fallback(String requested, String from, String to, String reason) {}
