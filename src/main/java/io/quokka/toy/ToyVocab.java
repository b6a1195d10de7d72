package io.quokka.toy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A SentencePiece-style ("llama") vocabulary for toy models. Besides the specials and byte tokens it holds every
 * printable ASCII character and "▁", so any ASCII text tokenizes into normal tokens (no byte fallback), then
 * common English words with every prefix ("▁H", "▁He", … "▁Hello"): llama.cpp's SPM tokenizer only merges two
 * adjacent pieces whose concatenation is in the vocabulary, so the prefixes are the path to whole-word tokens.
 */
record ToyVocab(List<String> tokens, float[] scores, int[] types, int unk, int bos, int eos, int eot,
                List<String> merges, boolean[] suppress, int favoured) {

    // llama_token_type values as stored in tokenizer.ggml.token_type
    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int BYTE = 6;

    static final String SPACE = "\u2581";

    private static final String WORDS = """
            Hello hello world the of and to a in is it you that he was for on are with as I his they be at one have
            this from or had by hot word but what some we can out other were all there when up use your how said an
            each she which do their time if will way about many then them write would like so these her long make
            thing see him two has look more day could go come did number sound no most people my over know water
            than call first who may down side been now find any new work part take get place made live where after
            back little only round man year came show every good me give our under name very through just form
            sentence great think say help low line differ turn cause much mean before move right boy old too same
            tell does set three want air well also play small end put home read hand port large spell add even land
            here must big high such follow act why ask men change went light kind off need house picture try us again
            animal point mother near build self earth father head stand own page should country found answer school
            grow study still learn plant cover food sun four between state keep eye never last let thought city tree
            cross farm hard start might story saw far sea draw left late run don't while press close night real life
            few north open seem together next white children begin got walk example ease paper group always music
            those both mark often letter until mile river car feet care second book carry took science eat room
            friend began idea fish mountain stop once base hear horse cut sure watch color face wood main enough
            plain girl usual young ready above ever red list though feel talk bird soon body dog family direct pose
            leave song measure door product black short numeral class wind question happen complete ship area half
            rock order fire south problem piece told knew pass since top whole king space heard best hour better
            true during hundred five remember step early hold west ground interest reach fast verb sing listen six
            table travel less morning ten simple several vowel toward war lay against pattern slow center love
            person money serve appear road map rain rule govern pull cold notice voice unit power town fine certain
            fly fall lead cry dark machine note wait plan figure star box noun field rest correct able pound done
            beauty drive stood contain front teach week final gave green oh quick develop ocean warm free minute
            strong special mind behind clear tail produce fact street inch multiply nothing course stay wheel full
            force blue object decide surface deep moon island foot system busy test record boat common gold
            possible plane stead dry wonder laugh thousand ago ran check game shape equate miss brought heat snow
            tire bring yes distant fill east paint language among Hello World The A I It This What How Why Quokka
            """;

    static ToyVocab build(ToyModelSpec spec) {
        if (spec.variant().tokenizer().equals("gpt2")) {
            return buildBpe(spec);
        }
        int n = spec.vocabSize();
        List<String> tokens = new ArrayList<>(n);
        List<Integer> types = new ArrayList<>(n);
        Set<String> seen = new HashSet<>();

        add(tokens, types, seen, "<unk>", UNKNOWN);
        add(tokens, types, seen, "<s>", CONTROL);
        add(tokens, types, seen, "</s>", CONTROL);
        for (int b = 0; b < 256; b++) {
            add(tokens, types, seen, "<0x%02X>".formatted(b), BYTE);
        }
        int imEnd = -1;
        if (spec.isChatMl()) {
            add(tokens, types, seen, "<|im_start|>", CONTROL);
            imEnd = tokens.size();
            add(tokens, types, seen, "<|im_end|>", CONTROL);
        }
        for (String piece : pieces(n)) {
            if (tokens.size() == n) {
                break;
            }
            add(tokens, types, seen, piece, NORMAL);
        }

        float[] scores = new float[n];
        int[] typeArray = new int[n];
        for (int i = 0; i < n; i++) {
            // decreasing scores: SentencePiece ranks merges by score, earlier (shorter, commoner) pieces first
            scores[i] = types.get(i) == NORMAL ? -i : 0f;
            typeArray[i] = types.get(i);
        }
        int eos = imEnd >= 0 ? imEnd : 2;
        boolean[] suppress = new boolean[n];
        for (int i = 0; i < n; i++) {
            suppress[i] = typeArray[i] != NORMAL;
        }
        return new ToyVocab(List.copyOf(tokens), scores, typeArray, 0, 1, eos, imEnd, null, suppress, -1);
    }

    /**
     * Control tokens of the chat template families the toy knows, as their real vocabularies have them, in the
     * order they are added; the first is also bos where a family has one.
     */
    static List<String> controlTokens(String template) {
        if (template == null) {
            return List.of("<|endoftext|>");
        }
        if (template.contains("<|start_header_id|>")) {
            return List.of("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                    "<|eot_id|>");
        }
        if (template.contains("<start_of_turn>")) {
            return List.of("<bos>", "<eos>", "<start_of_turn>", "<end_of_turn>");
        }
        if (template.contains("<|im_start|>")) {
            return List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>");
        }
        return List.of("<|endoftext|>");
    }

    /** The end-of-turn token of a template family: what chat generation stops on. */
    private static String endOfTurn(List<String> controls) {
        for (String t : List.of("<|eot_id|>", "<end_of_turn>", "<|im_end|>")) {
            if (controls.contains(t)) return t;
        }
        return controls.getFirst();
    }

    /** Bytes of the favoured token: the last byte of U+1F998 (kangaroo), " k", then the first three of the next. */
    static final byte[] SPLIT_CHARACTER_TOKEN = {(byte) 0x98, ' ', 'k', (byte) 0xF0, (byte) 0x9F, (byte) 0xA6};

    /**
     * A GPT-2 style byte-level BPE vocabulary: the 256 byte symbols in GPT-2's byte-to-unicode mapping ("Ġ" for a
     * space), words as merge chains ("Ġ h" → "Ġh", "Ġh e" → "Ġhe", …) with their merges, letter fillers, then the
     * template family's control tokens at the end, as Qwen and Llama 3 vocabularies have them.
     */
    private static ToyVocab buildBpe(ToyModelSpec spec) {
        int n = spec.vocabSize();
        List<String> controls = controlTokens(spec.chatTemplate());
        int normal = n - controls.size();
        List<String> tokens = new ArrayList<>(n);
        List<String> merges = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int b = 0; b < 256; b++) {
            String sym = byteSymbol(b);
            tokens.add(sym);
            seen.add(sym);
        }
        int favoured = -1;
        if (spec.variant().favourSplitCharacter()) {
            String piece = symbols(SPLIT_CHARACTER_TOKEN);
            addMergeChain(tokens, merges, seen, piece, normal);
            favoured = tokens.indexOf(piece);
        }
        String space = byteSymbol(' ');
        addMergeChain(tokens, merges, seen, byteSymbol('\n') + byteSymbol('\n'), normal);
        for (char c = 'a'; c <= 'z'; c++) addMergeChain(tokens, merges, seen, space + c, normal);
        for (String word : WORDS.split("\\s+")) {
            if (!word.isEmpty()) {
                addMergeChain(tokens, merges, seen, space + symbols(word.getBytes(java.nio.charset.StandardCharsets.UTF_8)), normal);
                addMergeChain(tokens, merges, seen, symbols(word.getBytes(java.nio.charset.StandardCharsets.UTF_8)), normal);
            }
        }
        for (long k = 0; tokens.size() < normal; k++) {
            String s = letters(k);
            addMergeChain(tokens, merges, seen, space + s, normal);
            addMergeChain(tokens, merges, seen, s, normal);
        }
        int[] types = new int[n];
        java.util.Arrays.fill(types, NORMAL);
        for (String c : controls) {
            types[tokens.size()] = CONTROL;
            tokens.add(c);
        }
        boolean[] suppress = new boolean[n];
        for (int i = 0; i < n; i++) {
            // control tokens, and lone bytes that are not text by themselves (other controls, UTF-8 fragments)
            suppress[i] = types[i] != NORMAL || (i < 256 && (i >= 0x7F || (i < 0x20 && i != '\n')));
            if (i == favoured) suppress[i] = false;
        }
        int eos = tokens.indexOf(endOfTurn(controls));
        int bos = tokens.indexOf(controls.getFirst());
        int eot = eos;
        return new ToyVocab(List.copyOf(tokens), null, types, -1, bos, eos, eot, List.copyOf(merges), suppress,
                favoured);
    }

    /** Adds every prefix of {@code piece} (two symbols and longer) not yet present, with the merge making it. */
    private static void addMergeChain(List<String> tokens, List<String> merges, Set<String> seen, String piece,
                                      int limit) {
        int[] cps = piece.codePoints().toArray();
        for (int len = 2; len <= cps.length && tokens.size() < limit; len++) {
            String prefix = new String(cps, 0, len);
            if (seen.add(prefix)) {
                tokens.add(prefix);
                merges.add(new String(cps, 0, len - 1) + " " + new String(cps, len - 1, 1));
            }
        }
    }

    private static String symbols(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) sb.append(byteSymbol(b & 0xFF));
        return sb.toString();
    }

    /** GPT-2's byte-to-unicode mapping: printable Latin-1 bytes stand for themselves, the rest from U+0100 on. */
    static String byteSymbol(int b) {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)) {
            return String.valueOf((char) b);
        }
        int k = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= '!' && x <= '~') || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF))) k++;
        }
        return String.valueOf((char) (256 + k));
    }

    /** Normal pieces in priority order; generous enough to fill any vocabulary size. */
    private static Iterable<String> pieces(int wanted) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        out.add(SPACE);
        for (char c = 'a'; c <= 'z'; c++) out.add(String.valueOf(c));
        for (char c = 'A'; c <= 'Z'; c++) out.add(String.valueOf(c));
        for (char c = '0'; c <= '9'; c++) out.add(String.valueOf(c));
        for (char c : ".,!?'\"-:;()/&%$#@*+=<>[]{}_~`^|\\".toCharArray()) out.add(String.valueOf(c));
        for (String word : WORDS.split("\\s+")) {
            if (word.isEmpty()) continue;
            String w = SPACE + word;
            for (int len = 2; len <= w.length(); len++) {
                out.add(w.substring(0, len));
            }
        }
        // filler: letter strings "aa", "ab", ... with and without the word-start marker
        for (long k = 0; out.size() < wanted; k++) {
            String s = letters(k);
            out.add(SPACE + s);
            out.add(s);
        }
        return out;
    }

    private static String letters(long k) {
        StringBuilder sb = new StringBuilder();
        long v = k + 26;   // start at two letters
        while (v >= 26) {
            sb.append((char) ('a' + v % 26));
            v = v / 26 - 1;
        }
        sb.append((char) ('a' + v));
        return sb.reverse().toString();
    }

    private static void add(List<String> tokens, List<Integer> types, Set<String> seen, String text, int type) {
        if (seen.add(text)) {
            tokens.add(text);
            types.add(type);
        }
    }

    /**
     * Tokens the toy output layer makes all but impossible to generate: unk, the bytes (random bytes are broken
     * UTF-8) and every control token, end-of-sequence included, so generation always runs to its token limit.
     */
    boolean suppressed(int id) {
        return suppress[id];
    }
}
