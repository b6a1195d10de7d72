package io.quokka.boot;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quokka.api.TestStoreAccess;
import io.quokka.generation.StoreModelResolver;
import io.quokka.pull.LoopbackRegistry;
import io.quokka.pull.LoopbackResource;
import io.quokka.pull.ModelPuller;
import io.quokka.scheduler.PreloadStatus;
import io.quokka.store.Digest;
import io.quokka.toy.ToyModelSpec;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pull on preload: a preload model missing from the store is pulled at start-up and loaded; one whose registry is
 * unreachable (an offline machine) is a reason readiness reports, never a crash, and does not keep the other from
 * being served; a second boot finds the model in the store and downloads nothing.
 */
@QuarkusTest
@TestProfile(PreloadPullTest.Profile.class)
@QuarkusTestResource(TestStoreAccess.Resource.class)
@QuarkusTestResource(LoopbackResource.class)
class PreloadPullTest {
    static final String REPO = "library/toy-preload";

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            LoopbackRegistry registry = LoopbackRegistry.shared();
            try {
                registry.publishToy(REPO, "latest", ToyModelSpec.tiny().withName("toy-preload"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("quokka.preload-pull", "true",
                    "quokka.preload-models", model() + ", http://127.0.0.1:1/library/offline");
        }
    }

    static String model() {
        return "http://" + LoopbackRegistry.shared().host() + "/" + REPO;
    }

    // The profile ran in another class loader, with its own LoopbackRegistry: find that one through the config.
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quokka.preload-models")
    String preloadModels;
    @Inject
    io.quokka.config.QuokkaConfig config;

    @Inject
    Preloader preloader;
    @Inject
    StoreModelResolver resolver;
    @Inject
    ModelPuller puller;

    @Test
    void missingModelsArePulledOnceAndAnUnreachableOneIsAReason() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (preloader.preload().state() == PreloadStatus.State.LOADING && System.nanoTime() < deadline) Thread.sleep(50);
        PreloadStatus.Snapshot status = preloader.preload();
        assertEquals(PreloadStatus.State.FAILED, status.state(), String.valueOf(status));
        assertTrue(status.reason().contains("pull of http://127.0.0.1:1/library/offline failed: pull model manifest: "),
                status.reason());
        String model = preloadModels.split(",")[0].strip();
        java.net.URI registry = java.net.URI.create(model.substring(0, model.indexOf("/library/")));
        String stored = registry.getAuthority() + "/" + REPO + ":latest";
        // The pulled model was loaded and stays resident, despite the other's failure.
        given().get("/api/ps").then().statusCode(200).body("models.name", hasItem(stored));
        given().get("/q/health/ready").then().statusCode(503).body(containsString("offline"));
        given().body("{\"model\":\"" + stored + "\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}")
                .post("/api/generate").then().statusCode(200);

        // A later boot finds it in the store: nothing is downloaded again.
        Digest weights = resolver.find(stored).manifest().layer(io.quokka.store.Layer.MODEL).orElseThrow().digest();
        long gets = LoopbackRegistry.blobGets(registry, weights);
        assertEquals(1, gets);
        List<String> problems = new ArrayList<>();
        assertEquals(List.of(stored), Preloader.pullMissing(List.of(model), resolver, puller, problems));
        assertEquals(List.of(), problems);
        assertEquals(gets, LoopbackRegistry.blobGets(registry, weights));
    }
}
