package io.quokka.security;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThanOrEqualTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quokka.api.TestStore;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Exposure with everything switched on: an API key, extra CORS origins, caps on {@code num_predict}, {@code num_ctx}
 * and prompt size, a small body limit. One profile for all of it (each profile restarts Quarkus).
 */
@QuarkusTest
@QuarkusTestResource(TestStore.class)
@TestProfile(SecurityApiTest.Locked.class)
class SecurityApiTest {
    static final String KEY = "sk-quokka-test-0123456789";

    public static class Locked implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quokka.api-key", KEY,
                    "quokka.origins", "https://*.example.com, http://exact.test",
                    "quokka.max-num-predict", "8",
                    "quokka.max-num-ctx", "512",
                    "quokka.max-prompt-bytes", "1000",
                    "quarkus.http.limits.max-body-size", "64K");
        }
    }

    @TestHTTPResource("/")
    URI base;

    static RequestSpecification authorized() {
        return given().header("Authorization", "Bearer " + KEY);
    }

    // --- API key ---

    @Test
    void withoutTheKeyOnlyTheRootAndTheProbesAnswer() {
        for (String open : List.of("/", "/health", "/q/health/live", "/q/health/ready", "/q/health/started")) {
            int status = given().get(open).then().extract().statusCode();
            assertTrue(status == 200 || status == 503, open + " answered " + status);
        }
        given().head("/").then().statusCode(200);
        for (String closed : List.of("/api/tags", "/api/ps", "/api/version", "/metrics", "/q/metrics", "/q/health",
                "/api/nonexistent")) {
            given().get(closed).then().statusCode(401).header("WWW-Authenticate", "Bearer")
                    .body("error", equalTo("unauthorized"));
        }
        given().body("{\"model\":\"toy\",\"prompt\":\"hi\"}").post("/api/generate").then().statusCode(401)
                .body("error", equalTo("unauthorized"));
        given().get("/v1/models").then().statusCode(401)
                .body("error.message", equalTo("unauthorized"))
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_api_key"));
    }

    @Test
    void onlyTheExactBearerKeyIsAccepted() {
        for (String wrong : List.of(KEY, "Bearer", "Bearer ", "Bearer " + KEY + "x", "Bearer " + KEY.substring(1),
                "Basic " + KEY, "Bearer sk-other", "Bearer " + KEY.toUpperCase())) {
            given().header("Authorization", wrong).get("/api/tags").then().statusCode(401);
        }
        authorized().get("/api/tags").then().statusCode(200);
        given().header("Authorization", "bearer " + KEY).get("/api/tags").then().statusCode(200);
        authorized().get("/v1/models").then().statusCode(200);
        authorized().get("/metrics").then().statusCode(200);
    }

    @Test
    void pathTricksDoNotReachAnOpenPath() throws IOException {
        for (String path : List.of("/q/health/live/../../../api/tags", "/q/health/live/%2e%2e/%2e%2e/../api/tags",
                "//api/tags", "/./api/tags", "/health/../api/tags")) {
            String answer = raw("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
            String status = answer.lines().findFirst().orElse("");
            assertTrue(!status.contains(" 200"), path + " answered " + status);
        }
    }

    // --- CORS (Ollama's defaults plus OLLAMA_ORIGINS) ---

    @Test
    void allowedOriginsAreEchoedAndOthersRefused() {
        for (String origin : List.of("http://localhost", "http://localhost:3000", "https://127.0.0.1:8443",
                "http://0.0.0.0:1", "app://obsidian.md", "file://", "tauri://localhost", "vscode-webview://abc",
                "vscode-file://vscode-app", "https://chat.example.com", "http://exact.test")) {
            authorized().header("Origin", origin).get("/api/version").then().statusCode(200)
                    .header("Access-Control-Allow-Origin", origin).header("Vary", "Origin");
        }
        for (String origin : List.of("http://evil.com", "http://localhost.evil.com", "https://example.com",
                "http://exact.test:80", "null", "chrome-extension://abc", "HTTP://LOCALHOST")) {
            authorized().header("Origin", origin).get("/api/version").then().statusCode(403)
                    .header("Access-Control-Allow-Origin", nullValue());
        }
    }

    @Test
    void preflightAnswersWithoutTheKey() {
        given().header("Origin", "http://localhost:5173").header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type,x-stainless-os")
                .options("/v1/chat/completions").then().statusCode(204)
                .header("Access-Control-Allow-Origin", "http://localhost:5173")
                .header("Access-Control-Allow-Methods", "GET,POST,PUT,PATCH,DELETE,HEAD,OPTIONS")
                .header("Access-Control-Allow-Headers", containsString("Authorization,Content-Type,User-Agent"))
                .header("Access-Control-Allow-Headers", containsString("X-Stainless-Os"))
                .header("Access-Control-Max-Age", "43200");
        given().header("Origin", "http://evil.com").options("/api/chat").then().statusCode(403);
    }

    @Test
    void sameOriginIsNotCrossOrigin() {
        String self = "http://" + base.getHost() + ":" + base.getPort();
        authorized().header("Origin", self).get("/api/version").then().statusCode(200)
                .header("Access-Control-Allow-Origin", nullValue());
    }

    // --- DNS rebinding: the Host of a loopback-bound server ---

    @Test
    void aForeignHostNameIsRefused() throws IOException {
        assertTrue(raw(get("/", "attacker.example")).startsWith("HTTP/1.1 403"));
        for (String host : List.of("localhost", "127.0.0.1", "[::1]:11434", "10.1.2.3", "192.168.0.9:80",
                "box.local", "api.internal", "x.localhost:1")) {
            assertTrue(raw(get("/", host)).startsWith("HTTP/1.1 200"), host);
        }
    }

    // --- Limits ---

    @Test
    void numPredictAndNumCtxOverTheCapsAreRefused() {
        authorized().body("{\"model\":\"toy\",\"prompt\":\"hi\",\"options\":{\"num_predict\":9}}").post("/api/generate")
                .then().statusCode(400).body("error", containsString("num_predict"))
                .body("error", containsString("at most 8"));
        authorized().body("{\"model\":\"toy\",\"messages\":[],\"options\":{\"num_ctx\":4096}}").post("/api/chat")
                .then().statusCode(400).body("error", containsString("num_ctx"));
        authorized().body("{\"model\":\"toy\",\"input\":\"hi\",\"options\":{\"num_ctx\":1e9}}").post("/api/embed")
                .then().statusCode(400).body("error", containsString("num_ctx"));
        authorized().body("{\"model\":\"toy\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":100}")
                .post("/v1/chat/completions").then().statusCode(400)
                .body("error.message", containsString("num_predict"));
    }

    @Test
    void anUnlimitedNumPredictIsLoweredToTheCap() {
        authorized().body("{\"model\":\"toy\",\"prompt\":\"Go on\",\"stream\":false,\"options\":{\"num_predict\":-1,\"temperature\":0}}")
                .post("/api/generate").then().statusCode(200).body("eval_count", lessThanOrEqualTo(8));
    }

    @Test
    void promptsOverTheCapAreRefused() {
        String big = "x".repeat(1001);
        authorized().body("{\"model\":\"toy\",\"prompt\":\"" + big + "\"}").post("/api/generate").then()
                .statusCode(400).body("error", containsString("prompt is too long"));
        authorized().contentType("application/json; charset=utf-8")
                .body("{\"model\":\"toy\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "é".repeat(501) + "\"}]}")
                .post("/api/chat").then().statusCode(400).body("error", containsString("1002 bytes"));
        authorized().body("{\"model\":\"toy\",\"input\":[\"" + big + "\"]}").post("/api/embed").then()
                .statusCode(400).body("error", containsString("prompt is too long"));
        authorized().body("{\"model\":\"toy\",\"prompt\":\"" + big + "\"}").post("/v1/completions").then()
                .statusCode(400).body("error.message", containsString("prompt is too long"));
    }

    @Test
    void bodiesOverTheLimitGet413AsJson() throws IOException {
        String body = "{\"model\":\"toy\",\"prompt\":\"" + "x".repeat(70 * 1024) + "\"}";
        authorized().body(body).post("/api/generate").then().statusCode(413)
                .body("error", containsString("request body too large"));
        authorized().body(body).post("/v1/completions").then().statusCode(413)
                .body("error.message", containsString("request body too large"));
        // Chunked: no Content-Length to check up front; counted as it arrives, the same JSON.
        for (String path : List.of("/api/generate", "/v1/completions")) {
            String chunked = raw(chunked(path, body, 4096));
            assertTrue(chunked.startsWith("HTTP/1.1 413"), chunked.lines().findFirst().orElse(""));
            String json = chunked.substring(chunked.indexOf("\r\n\r\n") + 4);
            assertTrue(json.startsWith(path.startsWith("/v1") ? "{\"error\":{\"message\":\"request body too large"
                    : "{\"error\":\"request body too large"), chunked);
            assertTrue(chunked.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), chunked);
        }
        authorized().get("/api/version").then().statusCode(200); // still serving
    }

    @Test
    void chunkedBodiesUnderTheLimitAreServedAsAnyOther() throws IOException {
        String generate = raw(chunked("/api/generate",
                "{\"model\":\"toy\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}", 7));
        assertTrue(generate.startsWith("HTTP/1.1 200"), generate);
        assertTrue(generate.contains("\"done\":true"), generate);
        String show = raw(chunked("/api/show", "{\"model\":\"toy\"}", 5));
        assertTrue(show.startsWith("HTTP/1.1 200"), show);
        String openAi = raw(chunked("/v1/chat/completions",
                "{\"model\":\"toy\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", 9));
        assertTrue(openAi.startsWith("HTTP/1.1 200"), openAi);
        String malformed = raw(chunked("/api/generate", "{\"model\":", 3));
        assertTrue(malformed.startsWith("HTTP/1.1 400"), malformed);
        String push = raw(chunked("/api/push", "{\"model\":\"toy\"}", 4));
        assertTrue(push.startsWith("HTTP/1.1 501"), push);
        String expecting = raw(chunked("/api/show", "{\"model\":\"toy\"}", 5)
                .replace("Transfer-Encoding", "Expect: 100-continue\r\nTransfer-Encoding"));
        assertTrue(expecting.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200"), expecting);
    }

    /** A POST whose body is sent in chunks of {@code size} bytes. */
    private static String chunked(String path, String body, int size) {
        StringBuilder sb = new StringBuilder("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + KEY + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
        for (int i = 0; i < body.length(); i += size) {
            String chunk = body.substring(i, Math.min(body.length(), i + size));
            sb.append(Integer.toHexString(chunk.length())).append("\r\n").append(chunk).append("\r\n");
        }
        return sb.append("0\r\n\r\n").toString();
    }

    private static String get(String path, String host) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    }

    /** One request on a raw socket: nothing normalises the path or the headers on the way. */
    private String raw(String request) throws IOException {
        try (Socket s = new Socket(base.getHost(), base.getPort())) {
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            try {
                in.transferTo(buf);
            } catch (IOException e) {
                // the server may reset after answering a refused upload
            }
            return buf.toString(StandardCharsets.UTF_8);
        }
    }
}
