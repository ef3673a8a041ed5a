-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: shop
-- ------------------------------------------------------

DROP TABLE IF EXISTS `users`;
CREATE TABLE `users` (
  `id` int NOT NULL AUTO_INCREMENT,
  `email` varchar(255) NOT NULL,
  `password_hash` varchar(255) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES `users` WRITE;
INSERT INTO `users` VALUES (1,'admin@example.org','$2y$10$yeSqojlXRKISYObIPpjFvNHrh7/k7Mbpp.TVPOKyiHkhLuXFV0GVc'),(2,'ops@example.org','$2y$10$i36t45u3MqJYPz/Sl6CnbOesqIS1mD/3IUaruvpS9SAEg5aPFWrT/');
UNLOCK TABLES;
