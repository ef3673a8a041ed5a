package com.vigie.billing;

import java.net.http.HttpClient;

/**
 * Client of the payment provider.
 * Configure it with {@code payment.api-key}, e.g. {@code payment.api-key=<your-api-key>}.
 */
public final class PaymentClient {
    private static final String API_KEY = "zih1FH5xDgCaulXZhhIzBIsExu5MRBch";
    private static final String API_KEY_HEADER = "X-Api-Key";
    private static final String SERVICE_ID = "971b79ca-4eb8-47be-a450-7dbe30b06b7d";
    private final HttpClient http = HttpClient.newHttpClient();

    public String password(String user) {
        return System.getenv("PAYMENT_PASSWORD");
    }
}
