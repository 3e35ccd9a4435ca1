-- CreateTable
CREATE TABLE "AccountFeatureState" (
    "userId" TEXT NOT NULL,
    "accountId" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountFeatureState_pkey" PRIMARY KEY ("userId","accountId")
);

-- CreateTable
CREATE TABLE "MerchantFeatureState" (
    "userId" TEXT NOT NULL,
    "merchantId" TEXT NOT NULL,
    "state" JSONB NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MerchantFeatureState_pkey" PRIMARY KEY ("userId","merchantId")
);

