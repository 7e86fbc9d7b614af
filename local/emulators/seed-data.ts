/** A product as the products table holds it. */
export interface SeedProduct {
  readonly productId: string;
  readonly name: string;
  readonly category: string;
  readonly brand: string;
  readonly description: string;
  readonly priceCents: number;
  readonly currency: "USD";
  readonly stock: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The sample catalog: 50 products, `prod-0001`..`prod-0050`, ten in each of five
 * categories, as the system this replaces seeded. Fixed data, so every fresh start and
 * every test sees the same shop.
 */
type Row = readonly [
  name: string,
  brand: string,
  priceCents: number,
  stock: number,
  description: string,
];

const CATALOG: Readonly<Record<string, readonly Row[]>> = {
  Electronics: [
    [
      "Wireless Noise-Cancelling Headphones",
      "SoundWave",
      19999,
      45,
      "Over-ear headphones with 30-hour battery life and adaptive noise cancelling.",
    ],
    [
      '4K Ultra HD Smart TV 55"',
      "Visionix",
      54999,
      12,
      "55-inch 4K HDR television with built-in streaming apps.",
    ],
    [
      "Bluetooth Portable Speaker",
      "SoundWave",
      4999,
      120,
      "Waterproof speaker with 12 hours of playback.",
    ],
    [
      "Mechanical Gaming Keyboard",
      "KeyForge",
      8999,
      60,
      "RGB backlit keyboard with hot-swappable switches.",
    ],
    [
      "Wireless Ergonomic Mouse",
      "KeyForge",
      3499,
      150,
      "Vertical mouse that reduces wrist strain, with silent clicks.",
    ],
    ["USB-C Charging Hub", "VoltEdge", 2999, 200, "Seven-port hub with 100 W power delivery."],
    [
      "Smartwatch Series 5",
      "Pulse",
      24999,
      30,
      "Fitness and health tracking with GPS and a week of battery.",
    ],
    [
      "Action Camera 4K",
      "Visionix",
      29999,
      8,
      "Stabilized 4K60 video, waterproof to 10 m without a case.",
    ],
    [
      "E-Reader Paperwhite",
      "PageLight",
      12999,
      75,
      "Glare-free 6.8-inch display with adjustable warm light.",
    ],
    [
      "Wireless Earbuds Pro",
      "SoundWave",
      14999,
      5,
      "True wireless earbuds with spatial audio and a charging case.",
    ],
  ],
  Books: [
    [
      "The Pragmatic Programmer",
      "Addison-Wesley",
      4499,
      40,
      "Twentieth anniversary edition of the classic on software craft.",
    ],
    [
      "Designing Data-Intensive Applications",
      "O'Reilly",
      5299,
      35,
      "The big ideas behind reliable, scalable and maintainable systems.",
    ],
    [
      "Clean Architecture",
      "Prentice Hall",
      3799,
      25,
      "A craftsman's guide to software structure and design.",
    ],
    [
      "The Midnight Library",
      "Canongate",
      1699,
      80,
      "A novel about all the lives we could have lived.",
    ],
    [
      "Atomic Habits",
      "Avery",
      1899,
      100,
      "An easy and proven way to build good habits and break bad ones.",
    ],
    [
      "Project Hail Mary",
      "Ballantine",
      1999,
      55,
      "A lone astronaut must save the earth from disaster.",
    ],
    ["Sapiens", "Harper", 2299, 60, "A brief history of humankind."],
    [
      "The Art of Computer Programming, Vol. 1",
      "Addison-Wesley",
      7999,
      10,
      "Fundamental algorithms, third edition.",
    ],
    [
      "Cooking for Engineers",
      "Tenspeed",
      2799,
      20,
      "Recipes as flowcharts, with the science of why they work.",
    ],
    ["Dune", "Ace", 1099, 90, "Frank Herbert's epic of politics, religion and ecology on Arrakis."],
  ],
  Clothing: [
    [
      "Merino Wool Crew Sweater",
      "Northloom",
      8900,
      40,
      "Fine-knit merino sweater that breathes and resists odour.",
    ],
    [
      "Waterproof Rain Jacket",
      "Trailwise",
      12900,
      25,
      "Packable shell with taped seams and a three-way hood.",
    ],
    ["Classic Denim Jeans", "Bluecut", 6900, 70, "Straight-fit jeans in rigid selvedge denim."],
    [
      "Organic Cotton T-Shirt",
      "Northloom",
      2400,
      200,
      "Heavyweight organic cotton tee, pre-shrunk.",
    ],
    [
      "Running Shoes Aero",
      "Stride",
      11900,
      35,
      "Lightweight trainers with responsive foam cushioning.",
    ],
    [
      "Leather Chelsea Boots",
      "Bluecut",
      17900,
      15,
      "Full-grain leather boots with elastic side panels.",
    ],
    ["Down Puffer Vest", "Trailwise", 9900, 3, "750-fill down vest for cold mornings."],
    ["Linen Button-Down Shirt", "Northloom", 5900, 45, "Relaxed-fit linen shirt for warm days."],
    ["Wool Beanie", "Trailwise", 1900, 150, "Ribbed wool beanie with a fold-up cuff."],
    ["Athletic Shorts", "Stride", 3400, 85, "Quick-dry shorts with a zip pocket."],
  ],
  "Home & Kitchen": [
    [
      'Cast Iron Skillet 12"',
      "Forgewell",
      3999,
      60,
      "Pre-seasoned skillet that goes from stove to oven.",
    ],
    ["Espresso Machine", "Crema", 39999, 10, "15-bar pump espresso machine with a steam wand."],
    [
      "Chef's Knife 8\"",
      "Forgewell",
      8999,
      40,
      "High-carbon stainless steel knife with a full tang.",
    ],
    [
      "Stand Mixer",
      "Crema",
      29999,
      12,
      "Tilt-head mixer with a 5-quart bowl and three attachments.",
    ],
    ["Pour-Over Coffee Set", "Crema", 4499, 55, "Glass dripper, carafe and 100 filters."],
    ["Linen Bed Sheet Set", "Restwell", 12999, 30, "Stonewashed linen sheets, queen size."],
    ["Air Purifier HEPA", "Breeze", 18999, 18, "True HEPA purifier for rooms up to 40 m2."],
    [
      "Non-Stick Cookware Set",
      "Forgewell",
      14999,
      22,
      "Ten-piece ceramic non-stick set, induction ready.",
    ],
    ["Bamboo Cutting Board", "Restwell", 2499, 110, "Reversible board with a juice groove."],
    ["Robot Vacuum", "Breeze", 27999, 2, "Self-emptying robot vacuum with lidar mapping."],
  ],
  "Sports & Outdoors": [
    ["Yoga Mat Pro", "Flowfit", 6800, 80, "6 mm non-slip mat with alignment lines."],
    [
      "Adjustable Dumbbells",
      "Ironcore",
      29900,
      14,
      "Pair of dumbbells adjustable from 2.5 to 24 kg.",
    ],
    ["Camping Tent 2-Person", "Trailwise", 18900, 20, "Freestanding three-season tent, 2.1 kg."],
    [
      "Insulated Water Bottle",
      "Flowfit",
      3200,
      250,
      "Keeps drinks cold for 24 hours or hot for 12.",
    ],
    ["Trail Running Backpack", "Trailwise", 9900, 30, "12-litre vest pack with two soft flasks."],
    ["Road Bike Helmet", "Velo", 12900, 25, "Ventilated helmet with MIPS protection."],
    [
      "Resistance Bands Set",
      "Ironcore",
      2900,
      140,
      "Five bands from light to extra heavy, with handles.",
    ],
    ["Hiking Poles", "Trailwise", 7900, 35, "Carbon trekking poles with cork grips."],
    ["Sleeping Bag -5C", "Trailwise", 15900, 16, "Synthetic mummy bag rated to -5 C."],
    ["Jump Rope Speed", "Flowfit", 1900, 0, "Ball-bearing speed rope with an adjustable cable."],
  ],
};

/** The seed products, stamped with the given time. */
export function seedProducts(now: string): SeedProduct[] {
  let n = 0;
  return Object.entries(CATALOG).flatMap(([category, rows]) =>
    rows.map(([name, brand, priceCents, stock, description]) => ({
      productId: `prod-${String(++n).padStart(4, "0")}`,
      name,
      category,
      brand,
      description,
      priceCents,
      currency: "USD" as const,
      stock,
      createdAt: now,
      updatedAt: now,
    })),
  );
}
