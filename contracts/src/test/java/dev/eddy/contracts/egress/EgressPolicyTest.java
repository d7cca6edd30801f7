package dev.eddy.contracts.egress;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The egress policy: refusals happen before any connection, so these tests never send traffic. */
class EgressPolicyTest {

    private final EgressPolicy defaults = EgressPolicy.defaults();

    @Test
    void metadataAndLinkLocalAddressesAreDeniedByDefault() {
        assertTrue(defaults.urlProblem(URI.create("http://169.254.169.254/latest/meta-data")).isPresent());
        assertTrue(defaults.literalProblem("[fd00:ec2::254]", 80).isPresent());
        assertTrue(defaults.literalProblem("fe80::1", 443).isPresent());
        assertTrue(defaults.literalProblem("100.100.100.200", 80).isPresent());
        // other spellings of the same address are parsed as literals too
        assertTrue(defaults.literalProblem("2852039166", 80).isPresent(), "169.254.169.254 as one number");
        assertTrue(defaults.literalProblem("::ffff:169.254.169.254", 80).isPresent(), "IPv4-mapped");
    }

    @Test
    void privateAndLoopbackWarehousesKeepWorking() {
        for (String host : List.of("10.1.2.3", "172.16.0.9", "192.168.1.20", "127.0.0.1", "localhost", "::1", "db.example.com")) {
            assertTrue(defaults.literalProblem(host, 5432).isEmpty(), host);
        }
    }

    @Test
    void aResolvedAddressIsCheckedWhateverNameResolvedToIt() throws Exception {
        // as if a DNS name (rebinding) answered 169.254.169.254: the check is on the address
        InetAddress metadata = InetAddress.getByAddress("hooks.attacker.example", new byte[] {(byte) 169, (byte) 254, (byte) 169, (byte) 254});
        EgressDeniedException e = assertThrows(EgressDeniedException.class, () -> defaults.check("hooks.attacker.example", metadata, 80));
        assertTrue(e.getMessage().contains("169.254.169.254"), e.getMessage());
        InetAddress privateAddress = InetAddress.getByAddress("warehouse.corp", new byte[] {10, 0, 0, 5});
        assertDoesNotThrow(() -> defaults.check("warehouse.corp", privateAddress, 5432));
        // localhost resolves without the network, to loopback
        assertDoesNotThrow(() -> defaults.resolve("localhost", 5432));
    }

    @Test
    void eddysOwnPortsAreDeniedOnThisHostOnly() throws Exception {
        EgressPolicy suite = EgressPolicy.of(List.of(), List.of(":19092", ":8084"));
        assertTrue(suite.literalProblem("127.0.0.1", 19092).isPresent());
        assertTrue(suite.literalProblem("localhost", 8084).isPresent());
        assertTrue(suite.literalProblem("0.0.0.0", 8084).isPresent());
        assertThrows(EgressDeniedException.class, () -> suite.resolve("localhost", 19092));
        assertTrue(suite.literalProblem("127.0.0.1", 9999).isEmpty());
        assertTrue(suite.literalProblem("10.9.9.9", 19092).isEmpty(), "another host's port 19092 is not Eddy's");
    }

    @Test
    void theAllowListOpensADeniedAddress() throws Exception {
        EgressPolicy open = EgressPolicy.of(List.of("169.254.10.0/24", "[fe80::1]:8080", "metadata.internal:80", ":19092"), List.of(":19092"));
        assertTrue(open.literalProblem("169.254.10.7", 80).isEmpty());
        assertTrue(open.literalProblem("169.254.169.254", 80).isPresent(), "only the allowed network");
        assertTrue(open.literalProblem("fe80::1", 8080).isEmpty());
        assertTrue(open.literalProblem("fe80::1", 8081).isPresent());
        assertTrue(open.literalProblem("127.0.0.1", 19092).isEmpty());
        InetAddress named = InetAddress.getByAddress("metadata.internal", new byte[] {(byte) 169, (byte) 254, 0, 1});
        assertDoesNotThrow(() -> open.check("metadata.internal", named, 80));
    }

    @Test
    void aRuleThatIsNotOneIsRefusedWithItsText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EgressPolicy.of(List.of("10.0.0.0/33"), List.of()));
        assertTrue(e.getMessage().contains("10.0.0.0/33"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EgressPolicy.of(List.of(), List.of("some.name")));
        assertEquals(4, EgressPolicy.ALWAYS_DENIED.size());
    }
}
