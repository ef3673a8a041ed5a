package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HashTest {
    @org.junit.jupiter.api.Test
    void sha256OfEmpty() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hash.sha256(""));
    }

    @org.junit.jupiter.api.Test
    void uuidIsParsed() {
        assertEquals(4, java.util.UUID.fromString("123e4567-e89b-42d3-a456-426614174000").version());
    }
}
