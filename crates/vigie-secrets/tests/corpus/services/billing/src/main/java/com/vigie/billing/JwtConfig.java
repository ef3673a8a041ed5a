package com.vigie.billing;

import org.springframework.beans.factory.annotation.Value;

public class JwtConfig {
    private static final String PASSWORD_PARAM = "password";
    private static final String TOKEN_HEADER = "Authorization";
    @Value("${jwt.secret}")
    private String jwtSecret;
    @Value("${api.key:}")
    private String apiKey;
}
