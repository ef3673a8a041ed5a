module.exports = {
  port: process.env.PORT || 3000,
  jwtSecret: process.env.JWT_SECRET || '2wEv3pNTYBddvkkxkC6Eu66PVGElfyZX',
  sessionSecret: process.env.SESSION_SECRET || "Falcon1148%",
  mongoUrl: process.env.MONGO_URL || 'mongodb://localhost:27017/api',
  logLevel: process.env.LOG_LEVEL || 'info',
};
