const BASE = "https://api.weather.vigie.test/v1";
export async function forecast(city) {
  const res = await fetch(`${BASE}/forecast?city=${city}&api_key=4379a07ded915a742446a93897ca9bb9`);
  return res.json();
}
export const docsLink = "https://api.weather.vigie.test/docs?key=YOUR_API_KEY_HERE";
