const adminPassword = process.env.ADMIN_PASSWORD ?? "admin";
const apiToken = process.env.API_TOKEN || "";
console.log("seeding with", adminPassword.length, "chars");
