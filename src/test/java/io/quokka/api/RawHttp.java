package io.quokka.api;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** A raw HTTP/1.1 client for the tests that decide exactly when the connection closes. */
final class RawHttp {
    private RawHttp() {}

    /** Sends {@code POST path} with a JSON {@code body} to {@code base} and returns the open connection. */
    static Socket post(URI base, String path, String body) throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        OutputStream out = socket.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.flush();
        return socket;
    }
}
