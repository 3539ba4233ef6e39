.class public Lcom/example/modern/Modern;
.super Ljava/lang/Object;

.method public static poly(Ljava/lang/invoke/MethodHandle;I)V
    .registers 4
    invoke-polymorphic {p0, p1}, Ljava/lang/invoke/MethodHandle;->invoke([Ljava/lang/Object;)Ljava/lang/Object;, (I)V
    invoke-polymorphic/range {p0 .. p1}, Ljava/lang/invoke/MethodHandle;->invokeExact([Ljava/lang/Object;)Ljava/lang/Object;, (I)V
    const-method-handle v0, invoke-static@Ljava/lang/Integer;->toString(I)Ljava/lang/String;
    const-method-type v1, (II)I
    invoke-custom {}, call_site_0("run", ()V, "arg")@Lcom/example/modern/Modern;->bootstrap(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;)Ljava/lang/invoke/CallSite;
    invoke-custom/range {p0 .. p1}, call_site_1("go", (Ljava/lang/invoke/MethodHandle;I)V)@Lcom/example/modern/Modern;->bootstrap2(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;
    return-void
.end method

.method public static bootstrap(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;Ljava/lang/String;)Ljava/lang/invoke/CallSite;
    .registers 5
    const/4 v0, 0
    return-object v0
.end method

.method public static bootstrap2(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;
    .registers 4
    const/4 v0, 0
    return-object v0
.end method
