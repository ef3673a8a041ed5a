package com.vigie.orders

object Config {
    const val MAPS_KEY = "AIzakCakaBEZaWElR7Zlh0LfJed7xPJkgKVQsxM"
    val jwtSecret: String = System.getenv("JWT_SECRET") ?: error("JWT_SECRET missing")
}
