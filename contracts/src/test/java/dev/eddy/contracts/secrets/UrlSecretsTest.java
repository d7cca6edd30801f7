package dev.eddy.contracts.secrets;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens and passwords inside URLs: sealed in place, opened back exactly, masked in every view. */
class UrlSecretsTest {

    private final SecretBox box = new SecretBox("unit-test-key");

    @Test
    void queryTokensAndUserinfoAreSealedInPlaceAndOpenBackExactly() {
        String url = "https://user:p%40ss@hooks.example.com/x?team=growth&token=abc123&sig=s+1#frag";
        String sealed = UrlSecrets.seal(url, box::seal);
        assertFalse(sealed.contains("abc123") || sealed.contains("p%40ss") || sealed.contains("s+1"), sealed);
        assertTrue(sealed.startsWith("https://sealed%3Av1%3A"), sealed);
        assertTrue(sealed.contains("@hooks.example.com/x?team=growth&token=sealed%3Av1%3A"), sealed);
        assertTrue(UrlSecrets.carriesSealed(sealed));
        assertEquals(url, UrlSecrets.open(sealed, box::open));
        assertEquals(sealed, UrlSecrets.seal(sealed, box::seal), "sealing twice changes nothing");
    }

    @Test
    void everyViewShowsTheMaskInsteadOfTheSecret() {
        String mask = SecretBox.MASK;
        assertEquals("https://" + mask + "@hooks.example.com/x?team=growth&token=" + mask,
                UrlSecrets.masked("https://user:pass@hooks.example.com/x?team=growth&token=abc123"));
        String sealed = UrlSecrets.seal("https://hooks.example.com/x?api_key=k1", box::seal);
        assertEquals("https://hooks.example.com/x?api_key=" + mask, UrlSecrets.masked(sealed));
        assertEquals("https://hooks.example.com/x?page=2", UrlSecrets.masked("https://hooks.example.com/x?page=2"));
        assertFalse(UrlSecrets.carriesSealed("https://hooks.example.com/x?token=abc"));
    }

    @Test
    void aTemplatedValueStaysATemplate() {
        String template = "https://api.example.com/{{ row.id }}?access_token={{ row.token }}&key=static";
        String sealed = UrlSecrets.seal(template, box::seal);
        assertTrue(sealed.contains("access_token={{ row.token }}"), sealed);
        assertFalse(sealed.contains("key=static"), sealed);
        assertEquals(template, UrlSecrets.open(sealed, box::open));
    }
}
