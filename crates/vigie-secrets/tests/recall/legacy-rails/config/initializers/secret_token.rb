# Be sure to restart your server when you modify this file.
Legacy::Application.config.secret_key_base = '41323563ac25d89736d61eb1606752639794187c79922b66aff3c892a0f741421015ea5c95470043c19f91c6d193b0784c13c3c56080baa632a74f4ad941eb9d'
