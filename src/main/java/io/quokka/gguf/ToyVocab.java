package io.quokka.gguf;

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
record ToyVocab(List<String> tokens, float[] scores, int[] types, int unk, int bos, int eos, int eot) {

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
        return new ToyVocab(List.copyOf(tokens), scores, typeArray, 0, 1, eos, imEnd);
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
        return types[id] != NORMAL;
    }
}
