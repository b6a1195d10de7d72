package io.quokka.security;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Ollama's defence against DNS rebinding ({@code allowedHostsMiddleware}): while the server listens on a loopback
 * address, a request's {@code Host} must name this machine: an IP literal that is loopback, private, unspecified or
 * one of its own interfaces' addresses, or {@code localhost}, the machine's host name, or a name under
 * {@code .localhost}, {@code .local} or {@code .internal}. A server bound to any other address accepts every Host.
 */
final class HostCheck {
    private final boolean enforced;
    private final String hostname;
    private final Set<InetAddress> local;

    private HostCheck(boolean enforced, String hostname, Set<InetAddress> local) {
        this.enforced = enforced;
        this.hostname = hostname;
        this.local = local;
    }

    /** For a server bound to {@code bindHost} (Quarkus' {@code quarkus.http.host}). */
    static HostCheck forBind(String bindHost) {
        boolean loopback;
        try {
            loopback = InetAddress.getByName(bindHost).isLoopbackAddress();
        } catch (UnknownHostException e) {
            loopback = false;
        }
        String hostname;
        try {
            hostname = InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            hostname = null;
        }
        Set<InetAddress> local = new HashSet<>();
        try {
            NetworkInterface.networkInterfaces().forEach(i -> i.inetAddresses().forEach(local::add));
        } catch (SocketException ignored) {
            // no interface addresses: only the fixed rules apply
        }
        return new HostCheck(loopback, hostname, Set.copyOf(local));
    }

    /** Always allows: for a server bound to every interface or a public address. */
    static HostCheck off() {
        return new HostCheck(false, null, Set.of());
    }

    /** Whether the check applies at all (the server listens on loopback). */
    boolean enforced() {
        return enforced;
    }

    /** Whether {@code hostHeader} (as sent, possibly with a port) is an IP address that needs no further check. */
    boolean allowsAddress(String host) {
        InetAddress address = literal(host);
        return address != null && (address.isLoopbackAddress() || isPrivate(address) || address.isAnyLocalAddress()
                || local.contains(address));
    }

    /** Ollama's {@code allowedHost}: the names that mean this machine. */
    boolean allowsName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.isEmpty() || h.equals("localhost") || h.equals(hostname)) return true;
        return h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal");
    }

    /** The host part of a {@code Host} header: {@code name}, {@code name:port}, {@code [v6]:port}. */
    static String hostPart(String header) {
        if (header == null) return "";
        String h = header.strip();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(1, end) : h;
        }
        int colon = h.indexOf(':');
        return colon >= 0 && colon == h.lastIndexOf(':') ? h.substring(0, colon) : h;
    }

    private static InetAddress literal(String host) {
        if (host.isEmpty()) return null;
        try {
            return InetAddress.ofLiteral(host); // never a DNS lookup
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Go's {@code netip.Addr.IsPrivate}: 10/8, 172.16/12, 192.168/16, fc00::/7. */
    private static boolean isPrivate(InetAddress a) {
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168);
        }
        return a instanceof Inet6Address && (b[0] & 0xfe) == 0xfc;
    }
}
