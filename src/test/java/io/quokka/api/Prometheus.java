package io.quokka.api;

import static io.restassured.RestAssured.given;

import java.util.Map;

/** Reads values out of Prometheus text exposition, for the metrics tests. */
public final class Prometheus {
    private Prometheus() {}

    public static String scrape() {
        return given().get("/q/metrics").then().statusCode(200).extract().asString();
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels}; 0 when there is none. */
    public static double value(String text, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            String sample = brace >= 0 ? line.substring(0, brace) : line.substring(0, Math.max(0, space));
            if (!sample.equals(name)) continue;
            String labelText = brace >= 0 ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            boolean matches = labels.entrySet().stream()
                    .allMatch(e -> labelText.contains(e.getKey() + "=\"" + e.getValue() + "\""));
            if (matches) sum += Double.parseDouble(line.substring(space + 1));
        }
        return sum;
    }
}
