package io.quokka.pull;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two things a download asks of the file system that can fail for reasons outside the download: free space,
 * and a write (a full disk). A seam so tests can make a write fail as a full disk does.
 */
public interface Disk {

    /** Bytes that may still be written under {@code dir}. */
    long usableSpace(Path dir) throws IOException;

    /** Writes all of {@code bytes} at {@code position}. */
    void write(FileChannel channel, ByteBuffer bytes, long position) throws IOException;

    /** The real file system. */
    static Disk system() {
        return new Disk() {
            @Override
            public long usableSpace(Path dir) throws IOException {
                return Files.getFileStore(dir).getUsableSpace();
            }

            @Override
            public void write(FileChannel channel, ByteBuffer bytes, long position) throws IOException {
                long at = position;
                while (bytes.hasRemaining()) at += channel.write(bytes, at);
            }
        };
    }
}
