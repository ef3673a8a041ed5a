--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET client_encoding = 'UTF8';

CREATE TABLE public.accounts (
    id integer NOT NULL,
    username character varying(64) NOT NULL,
    password character varying(255) NOT NULL
);

COPY public.accounts (id, username, password) FROM stdin;
1	admin	$argon2id$v=19$m=65536,t=3,p=4$kpHJ5Rjj1BS+z0p2JnkGnQ$SyoOaLjtheEU/ExThZZXSIjumDwaFw4VmMUuFvBlBNE
2	support	$argon2id$v=19$m=65536,t=3,p=4$aYrXszn/TWJTVxTSi4onEg$+E6yULv3eCNp13yV45jB/UHYte/nw6pSTr2eaA/RNuk
\.
