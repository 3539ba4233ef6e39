# An app class that calls the AppsFlyer SDK without bundling it: the SDK's
# classes are named (type and method references) but defined nowhere, so
# the report lists appsflyer with presence "referenced".
.class public Lcom/example/referenced/Main;
.super Ljava/lang/Object;

.method public static start(Landroid/content/Context;)V
    .registers 3
    invoke-static {}, Lcom/appsflyer/AppsFlyerLib;->getInstance()Lcom/appsflyer/AppsFlyerLib;
    move-result-object v0
    invoke-virtual {v0, p0}, Lcom/appsflyer/AppsFlyerLib;->start(Landroid/content/Context;)V
    return-void
.end method
