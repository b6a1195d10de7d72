package io.quokka.api;

/** Lets tests in other packages use the API tests' generated store. */
public final class TestStoreAccess {
    private TestStoreAccess() {}

    public static class Resource extends TestStore {}
}
